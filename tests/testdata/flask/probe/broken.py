import no_such_python_module_anywhere

app = None
