"""Image streams and what a push sets off: tags and their history
(`streams.py`), new versions of an image (`versions.py`) and the image-change triggers
of Deployments and BuildConfigs (`triggers.py`)."""
