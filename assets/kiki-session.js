/* KIKI Analytics: when the server ends this session (sign-out elsewhere, role change, timeout),
   Dash's next request answers 401: go to the sign-in form instead of leaving a frozen page. */
(function () {
    if (!window.fetch || window.kikiSessionWatch) { return; }
    window.kikiSessionWatch = true;
    const originalFetch = window.fetch.bind(window);
    window.fetch = function (resource, init) {
        return originalFetch(resource, init).then(function (response) {
            const url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
            if (response.status === 401 && url.indexOf('/_dash-') !== -1) {
                const here = window.location.pathname + window.location.search;
                window.location.assign('/login?next=' + encodeURIComponent(here));
            }
            return response;
        });
    };
})();
