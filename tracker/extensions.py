"""Extension objects, created once here and bound to the app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from tracker.db.session import Database

db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
