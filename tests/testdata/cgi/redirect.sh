printf 'Location: /elsewhere\n\n'
