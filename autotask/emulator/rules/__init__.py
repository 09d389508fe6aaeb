"""What the API accepts: the query language (``query``) and the write validation (``validate``)."""
