"""Reads what is deployed from the emulator's control plane: the WebSocket API, its stage,
routes, integrations and the Lambda functions behind them."""

import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_LAMBDA_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]+:lambda:path/[^/]+/functions/(?P<arn>[^/]+)/invocations$"
)
# moto's GetRouteResponses is missing: do not wait for retries to say so.
_NO_RETRIES = Config(retries={"total_max_attempts": 1})
# API Gateway's integration timeout for WebSocket APIs: 29 s by default and at most, 50 ms at least.
DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000
MIN_INTEGRATION_TIMEOUT_MS = 50


class DiscoveryError(Exception):
    """What is deployed cannot be served: the message says what to fix."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    handler: str
    runtime: str
    timeout_s: int
    memory_mb: int
    environment: dict[str, str]
    code_sha256: str
    code_location: str | None


@dataclass(frozen=True)
class RequestAuthorizer:
    """A route's Lambda REQUEST authorizer: its function, the identity sources a request must
    carry (`route.request.header.X`, `route.request.querystring.Y`, `stageVariables.Z`,
    `context.W`), and the `methodArn` its policy must allow."""

    authorizer_id: str
    function: FunctionSpec
    identity_sources: tuple[str, ...]
    method_arn: str


@dataclass(frozen=True)
class IamCaller:
    """Who the test credentials are, as the emulator's STS answers `GetCallerIdentity`: what
    the `requestContext.identity` of a connection an `AWS_IAM` `$connect` let in reports."""

    access_key: str
    account_id: str
    user_id: str
    arn: str


@dataclass(frozen=True)
class RouteSpec:
    route_key: str
    function: FunctionSpec
    two_way: bool
    integration_timeout_ms: int
    authorization_type: str = "NONE"  # NONE, CUSTOM (a REQUEST authorizer) or AWS_IAM
    authorizer: RequestAuthorizer | None = None


@dataclass(frozen=True)
class Throttling:
    rate: float | None
    burst: int | None


@dataclass(frozen=True)
class Deployment:
    api_id: str
    api_name: str
    route_selection_expression: str
    stage: str
    routes: dict[str, RouteSpec]
    default_throttling: Throttling
    route_throttling: dict[str, Throttling]
    stage_variables: dict[str, str]
    region: str = "us-east-1"
    iam_caller: IamCaller | None = None  # read when `$connect` is `AWS_IAM`

    def functions(self) -> list[FunctionSpec]:
        """Every function served: the routes' integrations and their authorizers."""
        found: dict[str, FunctionSpec] = {}
        for route in self.routes.values():
            found.setdefault(route.function.arn, route.function)
            if route.authorizer is not None:
                found.setdefault(route.authorizer.function.arn, route.authorizer.function)
        return list(found.values())

    def throttling(self, route_key: str) -> Throttling:
        return self.route_throttling.get(route_key, self.default_throttling)


def discover(session: boto3.Session, endpoint_url: str, api: str, stage: str | None) -> Deployment:
    apigw = session.client("apigatewayv2", endpoint_url=endpoint_url, config=_NO_RETRIES)
    lambdas = session.client("lambda", endpoint_url=endpoint_url)
    api_item = _find_api(apigw, api)
    api_id = api_item["ApiId"]
    stage_item = _find_stage(apigw, api_id, stage)
    integrations = {item["IntegrationId"]: item for item in _items(apigw.get_integrations, api_id)}
    functions: dict[str, FunctionSpec] = {}
    routes: dict[str, RouteSpec] = {}
    for route in _items(apigw.get_routes, api_id):
        integration = _integration(route, integrations)
        arn = _function_arn(route["RouteKey"], integration)
        if arn not in functions:
            functions[arn] = _function(lambdas, arn)
        authorization_type = route.get("AuthorizationType") or "NONE"
        authorizer = None
        if authorization_type == "CUSTOM":
            authorizer = _request_authorizer(
                apigw, lambdas, functions, route, api_id=api_id, stage=stage_item["StageName"]
            )
        routes[route["RouteKey"]] = RouteSpec(
            route_key=route["RouteKey"],
            function=functions[arn],
            two_way=_is_two_way(apigw, api_id, route),
            integration_timeout_ms=_integration_timeout_ms(integration),
            authorization_type=authorization_type,
            authorizer=authorizer,
        )
    return Deployment(
        api_id=api_id,
        api_name=api_item["Name"],
        route_selection_expression=api_item["RouteSelectionExpression"],
        stage=stage_item["StageName"],
        routes=routes,
        default_throttling=_throttling(stage_item.get("DefaultRouteSettings", {})),
        route_throttling={
            key: _throttling(settings)
            for key, settings in stage_item.get("RouteSettings", {}).items()
        },
        stage_variables=dict(stage_item.get("StageVariables") or {}),
        region=session.region_name or "us-east-1",
        iam_caller=_iam_caller(session, endpoint_url) if _iam_on_connect(routes) else None,
    )


def _iam_on_connect(routes: dict[str, RouteSpec]) -> bool:
    connect = routes.get("$connect")
    return connect is not None and connect.authorization_type == "AWS_IAM"


def _iam_caller(session: boto3.Session, endpoint_url: str) -> IamCaller:
    """The test credentials' identity, from the emulator's STS."""
    sts = session.client("sts", endpoint_url=endpoint_url)
    try:
        identity = sts.get_caller_identity()
    except ClientError as exc:
        raise DiscoveryError(
            f"$connect is AWS_IAM, but STS GetCallerIdentity failed: {exc}"
        ) from exc
    credentials = session.get_credentials()
    return IamCaller(
        access_key=credentials.access_key if credentials is not None else "",
        account_id=identity["Account"],
        user_id=identity["UserId"],
        arn=identity["Arn"],
    )


def _items(operation: Any, api_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, str] = {"ApiId": api_id}
    while True:
        page = operation(**kwargs)
        items.extend(page.get("Items", []))
        if not page.get("NextToken"):
            return items
        kwargs["NextToken"] = page["NextToken"]


def _find_api(apigw: Any, api: str) -> dict[str, Any]:
    apis: list[dict[str, Any]] = []
    kwargs: dict[str, str] = {}
    while True:
        page = apigw.get_apis(**kwargs)
        apis.extend(page.get("Items", []))
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    matches = [
        item
        for item in apis
        if item["ProtocolType"] == "WEBSOCKET" and api in (item["ApiId"], item["Name"])
    ]
    if len(matches) != 1:
        found = ", ".join(f"{item['Name']} ({item['ApiId']})" for item in apis) or "none"
        raise DiscoveryError(
            f"expected one WebSocket API named or with id {api!r}, found {len(matches)}; "
            f"APIs in the emulator: {found}. Run terraform apply on envs/local first."
        )
    return matches[0]


def _find_stage(apigw: Any, api_id: str, stage: str | None) -> dict[str, Any]:
    # Deployments are not checked: moto cannot create one, so a stage counts as deployed.
    stages = _items(apigw.get_stages, api_id)
    matches = [item for item in stages if stage in (None, item["StageName"])]
    if len(matches) != 1:
        names = ", ".join(item["StageName"] for item in stages) or "none"
        raise DiscoveryError(f"cannot choose a stage (asked for {stage!r}); stages: {names}")
    return matches[0]


def _integration(route: dict[str, Any], integrations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    target = route.get("Target", "")
    integration = integrations.get(target.removeprefix("integrations/"))
    if integration is None:
        raise DiscoveryError(f"route {route['RouteKey']} has no integration (target {target!r})")
    return integration


def _function_arn(route_key: str, integration: dict[str, Any]) -> str:
    uri = integration.get("IntegrationUri", "")
    match = _LAMBDA_URI.match(uri)
    if integration.get("IntegrationType") != "AWS_PROXY" or match is None:
        raise DiscoveryError(
            f"route {route_key}: only AWS_PROXY Lambda integrations are served locally, "
            f"not {integration.get('IntegrationType')} {uri}"
        )
    return match.group("arn")


def _request_authorizer(
    apigw: Any,
    lambdas: Any,
    functions: dict[str, FunctionSpec],
    route: dict[str, Any],
    *,
    api_id: str,
    stage: str,
) -> RequestAuthorizer:
    """The route's REQUEST authorizer (a Lambda function read like the integrations' ones)."""
    route_key = route["RouteKey"]
    authorizer_id = route.get("AuthorizerId") or ""
    try:
        item = apigw.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
    except ClientError as exc:
        raise DiscoveryError(
            f"route {route_key}: cannot read authorizer {authorizer_id!r}: {exc}"
        ) from exc
    uri = item.get("AuthorizerUri", "")
    match = _LAMBDA_URI.match(uri)
    if item.get("AuthorizerType") != "REQUEST" or match is None:
        raise DiscoveryError(
            f"route {route_key}: only Lambda REQUEST authorizers are served locally, "
            f"not {item.get('AuthorizerType')} {uri}"
        )
    arn = match.group("arn")
    if arn not in functions:
        functions[arn] = _function(lambdas, arn)
    function = functions[arn]
    # methodArn: arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{routeKey}, in the
    # region and account of the authorizer's function (the emulator's).
    _, _, _, region, account, *_ = function.arn.split(":")
    return RequestAuthorizer(
        authorizer_id=authorizer_id,
        function=function,
        identity_sources=tuple(item.get("IdentitySource") or ()),
        method_arn=f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{route_key}",
    )


def _integration_timeout_ms(integration: dict[str, Any]) -> int:
    """The integration's TimeoutInMillis, within API Gateway's bounds (50 ms to 29 s)."""
    timeout_ms = int(integration.get("TimeoutInMillis") or DEFAULT_INTEGRATION_TIMEOUT_MS)
    return min(max(timeout_ms, MIN_INTEGRATION_TIMEOUT_MS), DEFAULT_INTEGRATION_TIMEOUT_MS)


def _function(lambdas: Any, arn: str) -> FunctionSpec:
    try:
        answer = lambdas.get_function(FunctionName=arn)
    except ClientError as exc:
        raise DiscoveryError(f"cannot read function {arn}: {exc}") from exc
    config = answer["Configuration"]
    return FunctionSpec(
        name=config["FunctionName"],
        arn=config["FunctionArn"],
        handler=config["Handler"],
        runtime=config.get("Runtime", ""),
        timeout_s=config.get("Timeout", 3),
        memory_mb=config.get("MemorySize", 128),
        environment=config.get("Environment", {}).get("Variables", {}),
        code_sha256=config["CodeSha256"],
        code_location=answer.get("Code", {}).get("Location"),
    )


def _is_two_way(apigw: Any, api_id: str, route: dict[str, Any]) -> bool:
    """A route answers the client when it has a route response (and a selection expression)."""
    if not route.get("RouteResponseSelectionExpression"):
        return False
    try:
        responses = apigw.get_route_responses(ApiId=api_id, RouteId=route["RouteId"])
    except ClientError:
        return True  # moto does not list route responses; the expression is the best sign
    return bool(responses.get("Items"))


def _throttling(settings: dict[str, Any]) -> Throttling:
    return Throttling(
        rate=settings.get("ThrottlingRateLimit"), burst=settings.get("ThrottlingBurstLimit")
    )
