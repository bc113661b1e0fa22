echo "broken things" >&2
exit 3
