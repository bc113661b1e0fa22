printf 'Content-Type: application/octet-stream\n'
printf 'X-Method: %s\n\n' "$REQUEST_METHOD"
cat
