"""REST API of the organization tree: serializers and viewsets, registered in shanghui/api_urls.py."""
