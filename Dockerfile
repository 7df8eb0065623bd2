FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 ENTSIM_VAR_DIR=/data STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
COPY entsim ./entsim
COPY sts ./sts
COPY edt ./edt
COPY siecle ./siecle
COPY aaf ./aaf
COPY ent ./ent
COPY templates ./templates
COPY manage.py ./
RUN pip install --no-cache-dir -e . \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --create-home entsim && mkdir -p /data && chown entsim /data
USER entsim
EXPOSE 8000
CMD ["gunicorn", "entsim.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
