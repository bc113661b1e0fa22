printf 'Content-Type: text/plain\n\nhello from %s\n' "$(basename "$PWD")"
