import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings.dev")
application = get_wsgi_application()

# Production will not serve while a demo account keeps its demo password.
from demo.guard import refuse_demo_passwords  # noqa: E402

refuse_demo_passwords()
