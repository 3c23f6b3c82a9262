"""gunicorn's settings for the production web server (README, "Running in production").

    DATABASE_URL=postgresql+psycopg://... SECRET_KEY=... CASEWORK_SECURE_COOKIES=1 \
        gunicorn -c gunicorn.conf.py

The scheduler and the letter worker are separate processes (`flask --app app scheduler`,
`flask --app app letter-worker`); this file serves pages and the API only. Every setting can
be changed with an environment variable of the same meaning, without editing this file.
"""
import gc
import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("CASEWORK_BIND", "127.0.0.1:8000")

# One process per core does the Python work; a few threads in each overlap the time a request
# waits on the database (a commit waits for the disk), which a process alone would spend idle.
workers = int(os.environ.get("CASEWORK_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("CASEWORK_WEB_THREADS", "4"))

# A request that takes this long is stuck: the worker is replaced and the request answers 500.
timeout = int(os.environ.get("CASEWORK_WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, so a slow leak cannot grow without bound.
max_requests = 10_000
max_requests_jitter = 1_000

# The access log names the path, never the query string: searches carry people's names.
accesslog = os.environ.get("CASEWORK_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# gunicorn 27's control socket defaults to one path per user shared by every gunicorn on the
# machine; the service needs none (signals manage it), and two servers must not collide.
control_socket_disable = True
loglevel = os.environ.get("CASEWORK_LOG_LEVEL", "info")


def post_worker_init(worker):
    """Once the worker has loaded the app: the objects made so far (modules, the app, cached
    diagrams) live as long as the worker, so the cyclic garbage collector need not walk them on
    every collection; and it runs less often, since a request makes many short-lived objects.
    Together these took a seventh of the CPU of completing a task (bench/http_completion.py)."""
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
