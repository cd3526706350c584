"""The public Open Referral UK 3.0 API, mounted at /oruk/ (paths as in the ORUK OpenAPI)."""

from django.urls import path

from wraparound.directory import oruk_api

app_name = "oruk"

urlpatterns = [
    path("", oruk_api.api_details, name="api-details"),
    path("openapi.json", oruk_api.openapi, name="openapi"),
    path("services", oruk_api.service_list, name="services"),
    path("services/<str:service_id>", oruk_api.service_detail, name="service"),
    path("taxonomies", oruk_api.taxonomy_list, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", oruk_api.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", oruk_api.taxonomy_term_list, name="taxonomy-terms"),
    path("taxonomy_terms/<str:term_id>", oruk_api.taxonomy_term_detail, name="taxonomy-term"),
    path("organizations", oruk_api.organization_list, name="organizations"),
    path(
        "organizations/<str:organization_id>",
        oruk_api.organization_detail,
        name="organization",
    ),
    path("service_at_locations", oruk_api.service_at_location_list, name="service-at-locations"),
    path(
        "service_at_locations/<str:link_id>",
        oruk_api.service_at_location_detail,
        name="service-at-location",
    ),
]
