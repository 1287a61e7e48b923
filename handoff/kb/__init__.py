"""Knowledge base: articles with versions, the live search index, the search API."""
