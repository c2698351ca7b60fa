#!/usr/bin/env bash
echo "install-terraform: not wired yet" >&2
exit 1
