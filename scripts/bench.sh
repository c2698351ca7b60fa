#!/usr/bin/env bash
echo "bench: not wired yet" >&2
exit 1
