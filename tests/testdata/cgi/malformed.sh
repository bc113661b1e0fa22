echo "this is not a header"
echo
echo "body"
