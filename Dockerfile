FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 BOT_HOST=0.0.0.0
RUN apt-get update && apt-get install -y --no-install-recommends gcc curl libgomp1 && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY bot bot
COPY knowledge knowledge
COPY ingest ingest
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu \
    && pip install --no-cache-dir -e .
EXPOSE 8765
CMD ["bot", "serve", "--host", "0.0.0.0", "--port", "8765"]
