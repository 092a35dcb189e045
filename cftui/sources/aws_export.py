"""`cftui --import FILE`: the JSON the AWS CLI prints for CloudFront, saved to a file.

Recognised: `get-distribution-config` ({ETag, DistributionConfig}; carries no
distribution id), `get-distribution` ({ETag, Distribution}), `list-distributions`
(auto-paginated {DistributionList: {Items}} and the `--no-paginate` form with
Quantity/Marker/IsTruncated), plus the inner objects and a bare list of them, as
`--query` would print them. Custom cache / origin request policies are not in
these exports, so Host forwarding through them is reported as unknown.
`get-continuous-deployment-policy` and `list-continuous-deployment-policies` output
links staging distributions to their primaries (sources/deployment.py).
"""

from __future__ import annotations

from pathlib import Path

import cftui.sources.aws_shapes as aws_shapes
import cftui.sources.deployment as deployment
import cftui.sources.guard as guard
import cftui.sources.tenants as tenants
from cftui.engine import files, validate
from cftui.sources.model import Distribution, Inventory
from cftui.sources.reader import Node, SourceError

_SHAPES_HELP = ("expected the output of aws cloudfront get-distribution-config, get-distribution "
                "or list-distributions")


def load_export(path: Path | str) -> Inventory:
    path = Path(path)
    source = str(path)
    docs = _read_json(path)
    notes: list[str] = []
    found: list[Distribution] = []
    tenant_list: list[tenants.Tenant] = []
    endpoints: dict[str, str] = {}
    policies: list[deployment.DeploymentPolicy] = []
    for doc in docs:
        root = Node(doc, source)
        if deployment.is_policy_document(doc):
            policies += deployment.policies(root)
        elif isinstance(doc, dict) and ("DistributionTenant" in doc
                                      or "DistributionTenantList" in doc):
            items = ([root["DistributionTenant"]] if "DistributionTenant" in doc
                     else list(root["DistributionTenantList"].items()))
            tenant_list += [tenants.tenant(item) for item in items]
        elif isinstance(doc, dict) and "ConnectionGroup" in doc:
            group = root["ConnectionGroup"]
            endpoint = group["RoutingEndpoint"].optional_string()
            if endpoint:
                endpoints[group["Id"].string(empty=False)] = group["RoutingEndpoint"].checked(
                    validate.domain, "RoutingEndpoint")
        else:
            found += _distributions(root, notes)
    found = deployment.link(found, policies)
    distributions = tuple(tenants.expand(found, tenants.merge(tenant_list), endpoints))
    return Inventory(distributions=distributions, source=source, notes=tuple(notes))


def _read_json(path: Path) -> list[object]:
    try:
        data = files.read_regular(path, files.EXPORT_LIMIT)
    except files.FileError as exc:
        raise SourceError(str(exc), file=str(path)) from None
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not text (UTF-8 or UTF-16 expected): {exc.reason} at byte "
                          f"{exc.start}", file=str(path)) from None
    if not text.strip():
        raise SourceError(f"empty file: {_SHAPES_HELP}", file=str(path))
    return guard.load_json_documents(text, str(path))


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM, or UTF-16 with BOM (Windows PowerShell's `>` writes that)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _distributions(root: Node, notes: list[str]) -> list[Distribution]:
    if isinstance(root.value, list):
        return [_single(item) for item in root.items()]
    if not isinstance(root.value, dict):
        raise root.error(f"found {type(root.value).__name__} at the top level: {_SHAPES_HELP}")
    if "DistributionList" in root.value:
        return _listing(root["DistributionList"], notes)
    return [_single(root)]


def _listing(listing: Node, notes: list[str]) -> list[Distribution]:
    if listing["IsTruncated"].boolean(default=False):
        notes.append("the list is truncated (IsTruncated): it holds only the first page; "
                     "save the output of list-distributions without --no-paginate or --max-items")
    return [_summary(item) for item in listing.aws_list()]


def _single(node: Node) -> Distribution:
    doc = node.mapping()
    if "Distribution" in doc:
        return _distribution(node["Distribution"])
    if "DistributionConfig" in doc:
        if "Id" in doc:  # a bare Distribution (get-distribution --query Distribution)
            return _distribution(node)
        return aws_shapes.distribution(node["DistributionConfig"], dist_id=None,
                                       domain_name=None, source=node.file)
    if "Origins" in doc:  # a summary (has Id) or a bare DistributionConfig
        return _summary(node) if "Id" in doc else aws_shapes.distribution(
            node, dist_id=None, domain_name=None, source=node.file)
    keys = ", ".join(list(doc)[:6]) or "none"
    raise node.error(f"not a CloudFront distribution export (top-level keys: {keys}): "
                     f"{_SHAPES_HELP}")


def _distribution(node: Node) -> Distribution:
    """A Distribution object: Id, DomainName and the DistributionConfig."""
    config = node["DistributionConfig"]
    if not config.present:
        raise config.error("missing: get-distribution output holds a DistributionConfig")
    return aws_shapes.distribution(config, dist_id=node["Id"].string(empty=False),
                                   domain_name=aws_shapes.domain_name(node["DomainName"]),
                                   source=node.file)


def _summary(node: Node) -> Distribution:
    """A list-distributions item: the configuration fields are inline."""
    return aws_shapes.distribution(node, dist_id=node["Id"].string(empty=False),
                                   domain_name=aws_shapes.domain_name(node["DomainName"]),
                                   source=node.file)
