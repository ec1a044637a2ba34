"""`load_demo`: the seed's round and a cast of users for every role; loading twice changes nothing."""

from django.core.management.base import BaseCommand

from inspections.demo import PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo round (十二届市委第六轮巡视) and users for every role."

    def handle(self, *args, **options):
        users, created = load_demo()
        self.stdout.write(
            "Demo data loaded." if created else "Demo data already loaded; nothing changed."
        )
        self.stdout.write(f"Every demo user's password: {PASSWORD}")
        width = max(len(u.username) for u in users)
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}  {user.name}  [{user.role}]")
