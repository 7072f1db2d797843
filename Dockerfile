# WatchQueue's server: daphne serving the app (the site, the API, WebSocket and SSE) on port 8000.
# docker-compose.yml runs it on a MongoDB replica set; alone, it runs on SQLite under DATA_DIR,
# whose tables its entrypoint creates before the server starts.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/var/lib/watchqueue

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# The static files go into the image, for WhiteNoise to serve; the build's throwaway database
# and key go away with the build folder.
RUN DATA_DIR=/tmp/build python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build \
    && useradd --system --create-home watchqueue \
    && mkdir -p /var/lib/watchqueue \
    && chown watchqueue /var/lib/watchqueue
USER watchqueue

EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=4s --start-period=20s --retries=5 \
    CMD ["python", "deploy/healthcheck.py"]
ENTRYPOINT ["sh", "deploy/entrypoint.sh"]
# Clients' addresses are taken from the connection. Behind a proxy that sets X-Forwarded-For
# (docker-compose.yml's), add --proxy-headers; never without one, or any client could pose as
# another address and get round the limit on failed joins.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "watchqueue_site.asgi:application"]
