OK_FORMAT = True

test = {   'name': 'q3-gradient',
    'points': 2,
    'suites': [   {   'cases': [   {   'code': '>>> assert torch.isclose(g(torch.tensor([0.0, 1.0])), torch.tensor(1.0))\n'
                                               '>>> assert torch.allclose(gradient(lambda w: (w ** 2).sum(), torch.tensor([1.0, -2.0])), torch.tensor([2.0, -4.0]))\n'
                                               '>>> assert grad_g_at_pi.shape == (2,) and torch.isclose(grad_g_at_pi[0], torch.tensor(2.0))\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
