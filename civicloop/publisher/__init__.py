"""Publishing poll results back into `content/` as a reviewable change.

`base` holds what every back-end shares (`Change`, `Published`, `PublishError`, `Publisher`) and
imports neither back-end; `gitrepo` and `github` are the back-ends; `env` picks one from the
configuration. Importing this package imports none of them.
"""
