"""`load_account` against moto (in-process, no network) and against failing clients."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from botocore.exceptions import ClientError  # noqa: E402

from cftui.engine.profile import Protocol  # noqa: E402
from cftui.sources import SourceError, load_account  # noqa: E402
from cftui.sources.aws_live import READ_ONLY_OPERATIONS  # noqa: E402

HOST_POLICY = "5f1e9a3c-7b2d-4c8e-9f60-a1b2c3d4e5f6"  # a custom origin request policy
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials only; no real config, no instance metadata."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("BOTO_CONFIG", str(tmp_path / "boto-config"))


@pytest.fixture
def mocked(aws_env: None) -> Iterator[Any]:
    with moto.mock_aws():
        yield boto3.client("cloudfront", region_name="us-east-1")


def _custom(origin_id: str, domain: str, **config: Any) -> dict[str, Any]:
    custom = {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
              "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]}}
    custom.update(config)
    return {"Id": origin_id, "DomainName": domain, "CustomOriginConfig": custom}


def _create(client: Any) -> tuple[str, str]:
    shop = {
        "CallerReference": "shop", "Comment": "shop", "Enabled": True,
        "Aliases": {"Quantity": 1, "Items": ["www.example.com"]},
        "Origins": {"Quantity": 3, "Items": [
            _custom("app", "origin.example.com", HTTPSPort=8443, OriginReadTimeout=60,
                    OriginSslProtocols={"Quantity": 2, "Items": ["TLSv1.1", "TLSv1.2"]}),
            _custom("dr", "dr.example.com"),
            {"Id": "assets", "DomainName": "shop-assets.s3.us-east-1.amazonaws.com",
             "S3OriginConfig": {"OriginAccessIdentity": ""}},
        ]},
        "OriginGroups": {"Quantity": 1, "Items": [{
            "Id": "failover",
            "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "app"}, {"OriginId": "dr"}]},
        }]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": CACHING_DISABLED,
                                 "OriginRequestPolicyId": HOST_POLICY},
        "CacheBehaviors": {"Quantity": 1, "Items": [{
            "PathPattern": "/static/*", "TargetOriginId": "assets",
            "ViewerProtocolPolicy": "https-only", "MinTTL": 0,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"},
                                "Headers": {"Quantity": 0}},
        }]},
    }
    api = {
        "CallerReference": "api", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [_custom("fn", "abc.lambda-url.us-east-1.on.aws")]},
        "DefaultCacheBehavior": {"TargetOriginId": "fn", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": CACHING_DISABLED,
                                 "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST},
    }
    return tuple(client.create_distribution(DistributionConfig=c)["Distribution"]["Id"]
                 for c in (shop, api))  # type: ignore[return-value]


def _serve_policy(client: Any, asked: list[str]) -> None:
    """moto has no origin request policies: answer GetOriginRequestPolicy in-process."""

    def answer(model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        asked.append(params["url_path"].rsplit("/", 1)[-1])
        config = {"Name": "forward-host", "Comment": "",
                  "HeadersConfig": {"HeaderBehavior": "whitelist",
                                    "Headers": {"Quantity": 1, "Items": ["Host"]}},
                  "CookiesConfig": {"CookieBehavior": "none"},
                  "QueryStringsConfig": {"QueryStringBehavior": "all"}}
        policy = {"Id": HOST_POLICY, "OriginRequestPolicyConfig": config}
        return SimpleNamespace(status_code=200, headers={}), {"OriginRequestPolicy": policy}

    client.meta.events.register("before-call.cloudfront.GetOriginRequestPolicy", answer)


def _operations(client: Any) -> list[str]:
    seen: list[str] = []
    client.meta.events.register("before-call.cloudfront",
                                lambda model, **_: seen.append(model.name))
    return seen


def test_load_account(mocked: Any) -> None:
    shop_id, api_id = _create(mocked)
    asked: list[str] = []
    _serve_policy(mocked, asked)
    operations = _operations(mocked)

    inventory = load_account(client=mocked)

    assert inventory.source == "AWS account"
    shop = next(d for d in inventory.distributions if d.id == shop_id)
    assert shop.name == "shop" and shop.aliases == ("www.example.com",)
    assert shop.domain_name and shop.domain_name.endswith(".cloudfront.net")
    app, dr, assets = shop.origins
    assert (app.https_port, app.read_timeout) == (8443, 60)
    assert app.ssl_protocols == (Protocol.TLSv1_1, Protocol.TLSv1_2)
    assert app.forwards_host and app.host_header == "www.example.com"
    assert "forward-host" in app.host_forwarding_reason
    assert not dr.forwards_host  # no behaviour targets dr or its group
    assert assets.kind == "s3" and not assets.checkable  # moto drops S3OriginConfig
    assert shop.origin_groups[0].secondary == "dr"
    assert asked == [HOST_POLICY]  # fetched once, managed ids never

    api = next(d for d in inventory.distributions if d.id == api_id)
    (fn,) = api.origins
    assert not fn.forwards_host and "AllViewerExceptHostHeader" in fn.host_forwarding_reason

    _, origins = inventory.find(shop_id, "app")
    target = origins[0].to_target()
    assert (target.port, target.sni, target.label) == (8443, "www.example.com", f"{shop_id} / app")
    assert set(operations) <= READ_ONLY_OPERATIONS


def test_default_credential_chain(mocked: Any) -> None:
    shop_id, _ = _create(mocked)
    inventory = load_account()  # its own session, from the environment
    shop = next(d for d in inventory.distributions if d.id == shop_id)
    app = shop.origins[0]
    # moto cannot serve the custom policy: reported, assumed not forwarded.
    assert not app.forwards_host
    assert f"custom origin request policy {HOST_POLICY} could not be read" in (
        app.host_forwarding_reason)


def test_named_profile(mocked: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _create(mocked)
    (tmp_path / "aws-credentials").write_text(
        "[cftui-test]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    inventory = load_account("cftui-test")
    assert inventory.source == "AWS account (profile cftui-test)"
    assert len(inventory.distributions) == 2
    with pytest.raises(SourceError, match="no AWS profile 'nope'"):
        load_account("nope")


def test_list_items_without_origins_use_get_distribution_config(mocked: Any) -> None:
    shop_id, _ = _create(mocked)

    class Stripped:
        """Lists as moto 5.2.1 does: summaries without Origins or behaviours."""

        def __init__(self, client: Any):
            self.meta = client.meta
            self._client = client
            self.configs: list[str] = []

        def get_paginator(self, name: str) -> Any:
            pages = list(self._client.get_paginator(name).paginate())
            for page in pages:
                for item in page["DistributionList"].get("Items", []):
                    for key in ("Origins", "Aliases", "DefaultCacheBehavior", "CacheBehaviors"):
                        item.pop(key, None)
            return SimpleNamespace(paginate=lambda: iter(pages))

        def get_distribution_config(self, **kwargs: Any) -> Any:
            self.configs.append(kwargs["Id"])
            return self._client.get_distribution_config(**kwargs)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._client, name)

    client = Stripped(mocked)
    inventory = load_account(client=client)
    assert len(client.configs) == 2
    shop = next(d for d in inventory.distributions if d.id == shop_id)
    assert [o.id for o in shop.origins] == ["app", "dr", "assets"]
    assert shop.aliases == ("www.example.com",)


def test_writes_are_refused(mocked: Any) -> None:
    shop_id, _ = _create(mocked)
    load_account(client=mocked)
    with pytest.raises(SourceError, match="refusing DeleteDistribution"):
        mocked.delete_distribution(Id=shop_id, IfMatch="x")


def test_empty_account(mocked: Any) -> None:
    assert load_account(client=mocked).distributions == ()


def test_no_credentials(mocked: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SourceError) as info:
        load_account()
    assert str(info.value).startswith("AWS account: ")
    assert "no AWS credentials found" in str(info.value)


class _Failing:
    """A client whose every call fails with one AWS error."""

    def __init__(self, code: str, operation: str = "ListDistributions"):
        self.meta = SimpleNamespace(events=SimpleNamespace(register=lambda *a, **k: None))
        self._error = ClientError({"Error": {"Code": code, "Message": "nope"}}, operation)

    def get_paginator(self, name: str) -> Any:
        def paginate() -> Iterator[dict[str, Any]]:
            raise self._error
            yield {}

        return SimpleNamespace(paginate=paginate)


@pytest.mark.parametrize(("code", "text"), [
    ("AccessDenied", "access denied to cloudfront:ListDistributions"),
    ("ExpiredToken", "rejected the credentials (ExpiredToken)"),
    ("Throttling", "AWS answered Throttling"),
])
def test_aws_errors_are_one_line(code: str, text: str) -> None:
    with pytest.raises(SourceError) as info:
        load_account(client=_Failing(code))
    message = str(info.value)
    assert message.startswith("AWS account: ListDistributions: ") and text in message
    assert "\n" not in message


def test_without_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(SourceError, match=r"pip install 'cftui\[aws\]'"):
        load_account()
