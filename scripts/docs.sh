#!/usr/bin/env bash
echo "docs: not wired yet" >&2
exit 1
