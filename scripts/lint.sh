#!/usr/bin/env bash
echo "lint: not wired yet" >&2
exit 1
