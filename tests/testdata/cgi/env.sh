printf 'Content-Type: text/plain\r\n\r\n'
env
