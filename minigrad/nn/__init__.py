"""Neural-network building blocks: `Module`, `Parameter`, layers, initialisers, losses."""

from .module import Module, Parameter

__all__ = ["Module", "Parameter"]
