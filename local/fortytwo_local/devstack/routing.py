"""Route selection as API Gateway HTTP APIs do it.

Matching is on the path as API Gateway decodes it (http_event.api_gateway_path) with runs of
slashes collapsed (00-conventions §1; see docs/decisions.md for how AWS agrees), case-sensitive
and exact otherwise: a trailing slash is significant. `{name}` takes one non-empty segment, a
final `{name+}` takes one or more. When several routes match, the most specific wins: routes without a greedy
variable first, then literal segments before variables (left to right), then an explicit method
before ANY. Nothing matched → the `$default` route, if the template has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from fortytwo_local.devstack.template import HttpRoute, TemplateError

_LITERAL, _VARIABLE, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class _Compiled:
    route: HttpRoute
    segments: tuple[tuple[int, str], ...]  # (kind, literal text or variable name)

    @property
    def greedy(self) -> bool:
        return bool(self.segments) and self.segments[-1][0] == _GREEDY

    def specificity(self) -> tuple[int, tuple[int, ...], int]:
        return (int(self.greedy), tuple(kind for kind, _ in self.segments), int(self.route.method == "ANY"))


@dataclass(frozen=True)
class RouteMatch:
    route: HttpRoute
    path_parameters: dict[str, str]  # from the decoded path: decoded once, never twice


def _compile(route: HttpRoute) -> _Compiled:
    assert route.path is not None
    if not route.path.startswith("/"):
        raise TemplateError(f"route {route.route_key!r}: the path must start with /")
    parts = route.path.split("/")[1:]
    segments = []
    for i, part in enumerate(parts):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if name.endswith("+"):
                if i != len(parts) - 1:
                    raise TemplateError(f"route {route.route_key!r}: a greedy variable must be last")
                segments.append((_GREEDY, name[:-1]))
            else:
                segments.append((_VARIABLE, name))
        else:
            segments.append((_LITERAL, part))
    return _Compiled(route, tuple(segments))


class RouteTable:
    def __init__(self, routes: list[HttpRoute]) -> None:
        self.default: HttpRoute | None = None
        self._routes: list[_Compiled] = []
        seen: dict[str, HttpRoute] = {}
        for route in routes:
            if route.route_key in seen:
                raise TemplateError(
                    f"route {route.route_key!r} is declared twice "
                    f"({seen[route.route_key].function_id}, {route.function_id})"
                )
            seen[route.route_key] = route
            if route.path is None:
                self.default = route
            else:
                self._routes.append(_compile(route))
        self._routes.sort(key=_Compiled.specificity)

    def match(self, method: str, path: str) -> RouteMatch | None:
        """`path`: decoded and slash-collapsed."""
        if path.startswith("/"):
            parts = path.split("/")[1:]
            for compiled in self._routes:  # most specific first
                if compiled.route.method not in (method, "ANY"):
                    continue
                params = _match_segments(compiled.segments, parts)
                if params is not None:
                    return RouteMatch(compiled.route, params)
        if self.default is not None:
            return RouteMatch(self.default, {})
        return None


def _match_segments(segments: tuple[tuple[int, str], ...], parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, (kind, text) in enumerate(segments):
        if kind == _GREEDY:
            rest = "/".join(parts[i:])
            if i >= len(parts) or not rest:
                return None
            params[text] = rest
            return params
        if i >= len(parts):
            return None
        if kind == _LITERAL:
            if parts[i] != text:
                return None
        elif not parts[i]:
            return None
        else:
            params[text] = parts[i]
    return params if len(parts) == len(segments) else None
