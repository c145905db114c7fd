"""Remote services behind one interface (base.Service); one package per service."""
