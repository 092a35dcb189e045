"""The Textual UI of cftui: picker, live check panels and the handshake detail."""
