printf 'Status: 404 Not Found\r\nContent-Type: text/plain\r\nX-Extra: 1\r\n\r\ncustom not found\n'
