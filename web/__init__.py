"""The web app: a Telegram Mini App and a browser dashboard, served at /app by the API process.

Hand-written ES modules and CSS shipped as package data (no build step, no CDN). The page talks to
the REST API like any client; this package serves its files and imports no other front door.
"""
