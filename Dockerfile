# WatchQueue's server: daphne serving the app (the site, the API, WebSocket and SSE) on port 8000.
# docker-compose.yml runs it on a MongoDB replica set; alone, it runs on SQLite under DATA_DIR.
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
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
# Behind the compose file's proxy, the client's address comes in X-Forwarded-For.
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "watchqueue_site.asgi:application"]
