"""Xinqu (新区): the platform a development zone's administration runs its yearly strategy on."""

__version__ = "0.1.0"
