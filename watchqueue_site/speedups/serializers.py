"""Output serializers that build their fields once per class.

A DRF `ModelSerializer` works out its fields from the model every time it is instantiated,
which for a queue item is most of the cost of rendering it. The fields of an output-only
serializer whose fields read nothing but the instance (no method fields, no context) are the
same every time, so `FrozenModelSerializer` builds them for the first instance and hands the
same ones to the rest.

Bought: rendering a queue item takes 33 us instead of 440 us (in-process, best of 5 x 2,000);
with the vote path's other changes, a REST vote in-process went from 10.1 ms to 6.4 ms. With
`SPEEDUPS` off it is a plain `ModelSerializer`.

Can go when DRF caches a `ModelSerializer`'s fields itself, or when bench/rest.py shows no
difference with it off.
"""

from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict


class FrozenModelSerializer(serializers.ModelSerializer):
    @cached_property
    def fields(self) -> BindingDict:
        if not settings.SPEEDUPS:
            return super().fields
        cls = type(self)
        frozen = cls.__dict__.get("_frozen_fields")
        if frozen is None:
            frozen = super().fields
            for name, field in frozen.items():
                if isinstance(field, serializers.SerializerMethodField):
                    raise ImproperlyConfigured(
                        f"{cls.__name__}.{name} calls its serializer: it cannot be frozen."
                    )
            cls._frozen_fields = frozen
        return frozen
