"""The demo province, for a laptop: units, stations, one user per role, items with
locally made media, a week on air and an exhibition. It sits above every app and may
import any of them; no app imports it."""
