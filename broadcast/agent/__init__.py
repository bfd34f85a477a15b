"""Loa station agent: verifies, plays and reports broadcast packages at the station.

It runs on a station's PC or a Raspberry Pi with Python 3.9+ and only the standard
library plus `cryptography` (Debian's python3-cryptography). It must never import
Django or anything else from Loa's server side: a test enforces it, and the server
serves this folder as a zipapp (GET /api/v1/agent/loa-agent.pyz).
"""

VERSION = "1.0"
