"""REST API of the registry (people, enterprises, memberships), registered in shanghui/api_urls.py."""
