"""SmartHabit domain: settings, database, models and the use cases shared by the API, bot and workers."""

__version__ = "0.1.0"
