"""One thin spider per source; all share DiscoverySpider, driven by seeds/<source>.yaml."""
