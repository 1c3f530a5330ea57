"""The local stack (`42min dev`): the template's functions, routes and triggers on loopback."""

from fortytwo_local.devstack.stack import DevOptions, DevStack, DevStackError, run_dev

__all__ = ["DevOptions", "DevStack", "DevStackError", "run_dev"]
