"""The app's screens: picker, check, detail, and small modals."""
