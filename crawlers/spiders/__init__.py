"""Spiders of the wiredesk Scrapy project."""
