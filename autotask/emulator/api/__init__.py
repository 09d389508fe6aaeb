"""The API's routes and handlers: what each ``/ATServicesRest/`` path does.

``routes`` resolves a path to an action; ``handlers`` serves the reads and metadata, ``writes``
the creates, updates and deletes; ``paging`` builds the keyset links; ``metadata`` the
``entityInformation`` bodies; ``attachments`` what attachments do beyond plain records.
"""
