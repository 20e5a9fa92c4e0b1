"""Deployment artefacts (nginx, supervisord, systemd, env example) and the orchestration of `make production`."""
