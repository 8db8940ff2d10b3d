"""Pure competency matching: taxonomy, normalisation, scoring, ranking, explanations, proposals.

Nothing here touches a database or the network; it works on the plain values in
:mod:`matching.types`.
"""
