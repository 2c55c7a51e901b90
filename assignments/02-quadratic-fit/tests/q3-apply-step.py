OK_FORMAT = True

test = {   'name': 'q3-apply-step',
    'points': 3,
    'suites': [   {   'cases': [   {   'code': '>>> _p = torch.tensor([1.0, 0.0, 0.0], requires_grad=True)\n'
                                               '>>> _loss = apply_step(_p, torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]), 0.1)\n'
                                               '>>> assert abs(float(_loss) - 8.5) < 0.0001\n'
                                               '>>> assert torch.allclose(_p.detach(), torch.tensor([-0.7, -0.9, -0.5]), atol=0.0001)\n',
                                       'hidden': False,
                                       'locked': False,
                                       'points': 0}],
                      'scored': True,
                      'setup': '',
                      'teardown': '',
                      'type': 'doctest'}]}
