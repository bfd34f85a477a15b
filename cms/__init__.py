"""The content app: Loa's library of radio, video and poster items, their review and
their editorial setup. It imports no app above it (broadcast, exhibitions, demo)."""
