"""The province's administrative units: one tree used by content (district libraries,
producing units), broadcast (stations, targets, reports) and exhibitions alike. It
depends on no Loa app, so none of them depends on another through it."""
