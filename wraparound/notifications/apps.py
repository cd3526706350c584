from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "wraparound.notifications"
    label = "notifications"
    verbose_name = "Notifications"
