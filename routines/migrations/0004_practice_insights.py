"""Shared sessions: what a visitor chooses to tell the teacher about a session, anonymously."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('routines', '0003_stretch_search_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='SharedSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shared_on', models.DateField(db_index=True, default=django.utils.timezone.localdate)),
                ('is_gentle', models.BooleanField(verbose_name='gentle mode')),
                ('is_completed', models.BooleanField(verbose_name='completed')),
                ('ended_at_step', models.PositiveSmallIntegerField(blank=True, help_text='The stretch (1 is the first) the session ended at.', null=True)),
                ('tightness_before', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                ('tightness_after', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                ('feeling', models.CharField(blank=True, choices=[('better', 'Better'), ('same', 'Same'), ('worse', 'Worse')], max_length=10)),
                ('routine', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shared_sessions', to='routines.routine')),
            ],
            options={
                'verbose_name': 'shared session',
                'verbose_name_plural': 'shared sessions',
                'ordering': ['-shared_on', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('ended_at_step__isnull', True), ('is_completed', True)), models.Q(('ended_at_step__gte', 1), ('is_completed', False)), _connector='OR'), name='shared_session_completed_or_ended_at_a_step'), models.CheckConstraint(condition=models.Q(('tightness_before__lte', 10), ('tightness_after__lte', 10)), name='shared_session_tightness_at_most_10')],
            },
        ),
    ]
