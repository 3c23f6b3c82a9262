"""A page for every action staff take on a case, each a GOV.UK question page calling the same
service as the API, offered only to the roles that may do it.

Every page follows one shape (forms.py): GET shows the form with a single-use key and the
fingerprint of what it shows; POST reads the answers with Answers (GOV.UK error wording), shows
the page again with 422 on a problem, runs the service through act_once (409 and the page again
when the record changed since, or the form was already submitted), then redirects to the case
with a success banner that says what happens next.
"""
