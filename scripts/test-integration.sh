#!/usr/bin/env bash
echo "test-integration: not wired yet" >&2
exit 1
